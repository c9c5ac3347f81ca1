; Like ../c/context.scm (written out, not inherited: C++ names differ) plus classes, namespaces
; and lambdas. A template's scope is the class or function inside it.

(function_definition
  body: (compound_statement) @context.end) @context

[
  (class_specifier body: (field_declaration_list) @context.end)
  (struct_specifier body: (field_declaration_list) @context.end)
  (union_specifier body: (field_declaration_list) @context.end)
] @context

(enum_specifier
  body: (enumerator_list) @context.end) @context

(namespace_definition
  body: (declaration_list) @context.end) @context

(lambda_expression
  body: (compound_statement) @context.end) @context
