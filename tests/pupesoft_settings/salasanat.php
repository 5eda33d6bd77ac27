<?php
// Pupesoft's local settings file (inc/salasanat.php) for the tests: the database and the URL that
// ../shared/pupesoft-php/serve.sh puts in the environment. tests/pupesoft.py puts this folder on
// PHP's include_path; ../shared/pupesoft-php/src has no salasanat.php of its own.
$dbhost = getenv('PUPE_DBHOST') ?: '127.0.0.1';
$dbuser = getenv('PUPE_DBUSER') ?: 'root';
$dbpass = getenv('PUPE_DBPASS') ?: '';
$dbkanta = getenv('PUPE_DB');
$palvelin = getenv('PUPE_URL');
