<?php

namespace App\Models;

class User  // {{EXPECT}}
{
    public function __construct(
        public string $name,
        public string $email,
    ) {}

    public function displayName(): string
    {
        return "{$this->name} <{$this->email}>";
    }
}
