<?php
// Golden file for the php queries: markers in tests/golden/annotated.py

namespace App\Storage; // {{DEF module App\Storage}}

use App\Models\Item; // {{IMPORT App\Models}}
use App\Contracts\{Repository, Cache as C}; // {{IMPORT App\Contracts}}
use function App\Support\format; // {{IMPORT App\Support}}
use Stringable; // {{IMPORT Stringable}}

require_once __DIR__ . '/bootstrap.php'; // {{IMPORT /bootstrap.php}}

const MAX_ITEMS = 10; // {{DEF constant MAX_ITEMS}}

// {{TEST method in an attributed class}}
#[Entity] // {{CONTEXT}} {{DEF class Store}} an attributed declaration starts at its attributes
final class Store extends Base implements Repository // {{REF type Base}} {{REF type Repository}}
{
    use Logs;
    public const LIMIT = 5; // {{DEF constant LIMIT}}
    private array $items = [], $spare; // {{DEF field items}} {{DEF field spare}}

    public function __construct(private string $name) // {{DEF method __construct}} {{DEF field name}}
    {
        parent::__construct();
    }

    public function find(int $id): ?Item // {{CONTEXT}} {{DEF method find}} {{REF type Item}}
    {
        // {{CURSOR}}
        return $this->items[$id] ?? Item::make(format($id)); // {{REF call make}} {{REF call format}}
    }
}

// {{TEST closure in a trait method}}
trait Logs // {{CONTEXT}} {{DEF class Logs}}
{
    protected function log(string $message): void // {{CONTEXT}} {{DEF method log}}
    {
        $write = function ($line) use ($message) { // {{CONTEXT}}
            error_log($line . $message); // {{CURSOR}} {{REF call error_log}}
        };
        $write(date('c')); // {{REF call date}}
    }
}

// {{TEST enum and interface}}
interface Repository // {{DEF interface Repository}}
{
    public function find(int $id): ?Item; // {{DEF method find}}
}

enum Kind: string // {{CONTEXT}} {{DEF enum Kind}}
{
    case Empty = 'e'; // {{DEF constant Empty}} {{CURSOR}}
    case Full = 'f'; // {{DEF constant Full}}
}

function helper(): Store // {{DEF function helper}}
{
    return new Store('x'); // {{REF call Store}}
}
