<?php
// Plain PHP, no Composer: served by PHP's built-in web server.
header('Content-Type: text/plain');
echo 'hello from php ' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . "\n";
