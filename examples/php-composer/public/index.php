<?php

require __DIR__ . '/../vendor/autoload.php';

header('Content-Type: text/plain');
echo (new Hello\Greeter())->greet();
