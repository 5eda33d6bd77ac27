from pupetui.cli import main

raise SystemExit(main())
