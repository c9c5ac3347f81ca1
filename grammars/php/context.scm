; Attributes belong to a declaration, so an attributed scope starts at its first `#[...]`.
; `namespace App;` (without braces) has no body and is not a scope.

(namespace_definition
  body: (compound_statement) @context.end) @context

[
  (class_declaration body: (declaration_list) @context.end)
  (interface_declaration body: (declaration_list) @context.end)
  (trait_declaration body: (declaration_list) @context.end)
  (enum_declaration body: (enum_declaration_list) @context.end)
] @context

[
  (function_definition body: (compound_statement) @context.end)
  (method_declaration body: (compound_statement) @context.end)
  (anonymous_function body: (compound_statement) @context.end)
] @context
