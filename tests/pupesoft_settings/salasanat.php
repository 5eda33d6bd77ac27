<?php
// Pupesoft's local settings file (inc/salasanat.php) for the tests: the database and the URL that
// ../shared/pupesoft-php/serve.sh puts in the environment. tests/pupesoft.py puts this folder on
// PHP's include_path; ../shared/pupesoft-php/src has no salasanat.php of its own.
$dbhost = getenv('PUPE_DBHOST') ?: '127.0.0.1';
$dbuser = getenv('PUPE_DBUSER') ?: 'root';
$dbpass = getenv('PUPE_DBPASS') ?: '';
$dbkanta = getenv('PUPE_DB');
$palvelin = getenv('PUPE_URL');
// Pupesoft's SMS service (crm/kuittaamattomat.php, crm/asiakasmemo.php): a test's loopback server
$sms_palvelin = getenv('PUPE_SMS_URL') ?: '';
$sms_user = getenv('PUPE_SMS_USER') ?: '';
$sms_pass = getenv('PUPE_SMS_PASS') ?: '';
