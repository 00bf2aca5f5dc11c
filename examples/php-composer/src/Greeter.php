<?php

namespace Hello;

final class Greeter
{
    public function greet(): string
    {
        return 'hello from composer on php ' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . "\n";
    }
}
