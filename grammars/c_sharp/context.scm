; Attributes belong to a declaration, so an attributed scope starts at its first `[Attribute]`.
; `namespace App;` (file scoped) has no body node, so it is not a scope.

(namespace_declaration
  body: (declaration_list) @context.end) @context

[
  (class_declaration body: (declaration_list) @context.end)
  (struct_declaration body: (declaration_list) @context.end)
  (record_declaration body: (declaration_list) @context.end)
  (interface_declaration body: (declaration_list) @context.end)
] @context

(enum_declaration
  body: (enum_member_declaration_list) @context.end) @context

[
  (method_declaration body: (block) @context.end)
  (constructor_declaration body: (block) @context.end)
  (destructor_declaration body: (block) @context.end)
  (operator_declaration body: (block) @context.end)
  (conversion_operator_declaration body: (block) @context.end)
  (local_function_statement body: (block) @context.end)
] @context

[
  (property_declaration accessors: (accessor_list) @context.end)
  (indexer_declaration accessors: (accessor_list) @context.end)
  (event_declaration accessors: (accessor_list) @context.end)
] @context

(lambda_expression
  body: (block) @context.end) @context
