"""Which screen opens each program."""

from __future__ import annotations

import importlib

from textual.screen import Screen

from pupetui.services.programs import Program

# program id -> "module:ClassName" of its screen (imported on first use, to start fast).
# A screen class takes no arguments.
PROGRAM_SCREENS: dict[str, str] = {
    "customers": "pupetui.screens.customers:CustomerListScreen",
    # the memo program opens the same list: Enter on a customer opens its memo
    "memo": "pupetui.screens.customers:MemoCustomerListScreen",
    "calendar": "pupetui.screens.calendar:CalendarScreen",
    "reminders": "pupetui.screens.reminders:RemindersScreen",
    "labels": "pupetui.screens.labels:LabelsScreen",
    "sql": "pupetui.screens.sql_search:SqlSearchScreen",
    "querygen": "pupetui.screens.query_generator:QueryGeneratorScreen",
    "contracts": "pupetui.screens.contracts:ContractsScreen",
    "sms": "pupetui.screens.sms:SmsScreen",
}


# Further classes with bindings of their own that a keymap may name ("module:ClassName").
BINDING_CLASSES: tuple[str, ...] = (
    "pupetui.screens.customers:FiltersScreen",
    "pupetui.screens.customers:ColumnFilterScreen",
    "pupetui.screens.customer_edit:CustomerEditScreen",
    "pupetui.widgets.confirm:ConfirmScreen",
    "pupetui.widgets.confirm:AskTextScreen",
    "pupetui.widgets.paged_table:PagedTable",
    "pupetui.screens.memo:MemoScreen",
    "pupetui.screens.memo_forms:TextViewScreen",
    "pupetui.screens.memo_forms:FormScreen",
    "pupetui.screens.reminder_forms:AcknowledgeReminderScreen",
    "pupetui.screens.reminder_forms:AddReminderScreen",
    "pupetui.screens.reminder_forms:ReminderCustomerPickerScreen",
    "pupetui.screens.reminder_forms:ReminderUserPickerScreen",
    "pupetui.screens.query_forms:FieldGrid",
    "pupetui.screens.query_forms:SqlPreviewScreen",
    "pupetui.screens.query_forms:SavedQueriesScreen",
    "pupetui.widgets.result_grid:ResultGrid",
    "pupetui.widgets.result_grid:CellViewScreen",
    "pupetui.screens.sms:SmsSendScreen",
) + tuple(
    f"pupetui.screens.calendar_forms:{name}"
    for name in ("EntryFormScreen", "CustomerPickerScreen", "GoToDateScreen", "UserPickerScreen",
                 "SearchScreen", "ExportScreen", "EntryTypesScreen", "EntryTypeFormScreen")
) + ("pupetui.widgets.day_agenda:DayAgenda", "pupetui.widgets.day_agenda:WeekAgenda") + (
    "pupetui.screens.labels:PrintLabelsScreen",
    "pupetui.widgets.customer_selection:CustomerSelection",
    "pupetui.widgets.customer_selection:SelectionFiltersScreen",
)


def _load(target: str) -> type:
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def program_binding_classes() -> tuple[type, ...]:
    targets = dict.fromkeys(list(PROGRAM_SCREENS.values()) + list(BINDING_CLASSES))
    return tuple(_load(t) for t in targets)


def screen_for(program: Program) -> Screen:
    return _load(PROGRAM_SCREENS[program.id])()
