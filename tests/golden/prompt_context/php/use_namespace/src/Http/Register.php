<?php

namespace App\Http;

use App\Models\User;

final class Register
{
    public function handle(string $name, string $email): bool
    {
        if ($name === '') {
            return false;
        }
        // {{CURSOR}}
    }
}
