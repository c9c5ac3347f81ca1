; A function's scope starts where its node starts: at the return type, which may sit on the
; line above the name (`static int\nmain(void)`).

(function_definition
  body: (compound_statement) @context.end) @context

(struct_specifier
  body: (field_declaration_list) @context.end) @context

(union_specifier
  body: (field_declaration_list) @context.end) @context

(enum_specifier
  body: (enumerator_list) @context.end) @context
