; use App\Models\Item;    use Foo\Bar as Baz;    use function App\format;    use Stringable;
; use App\Contracts\{Repository, Cache as C};
; require_once __DIR__ . '/bootstrap.php';    include 'config.php';   (the string's text)

(namespace_use_declaration
  (namespace_use_clause
    (qualified_name
      prefix: (namespace_name) @import.module
      (name) @import.name)
    alias: (name)? @import.alias)) @import.statement

(namespace_use_declaration
  (namespace_use_clause
    .
    (name) @import.module
    alias: (name)? @import.alias)) @import.statement

(namespace_use_declaration
  (namespace_name) @import.module
  body: (namespace_use_group
    (namespace_use_clause
      .
      (name) @import.name
      alias: (name)? @import.alias))) @import.statement

(expression_statement
  [
    (require_expression
      [
        (string (string_content) @import.module)
        (binary_expression right: (string (string_content) @import.module))
      ])
    (require_once_expression
      [
        (string (string_content) @import.module)
        (binary_expression right: (string (string_content) @import.module))
      ])
    (include_expression
      [
        (string (string_content) @import.module)
        (binary_expression right: (string (string_content) @import.module))
      ])
    (include_once_expression
      [
        (string (string_content) @import.module)
        (binary_expression right: (string (string_content) @import.module))
      ])
  ]) @import.statement
