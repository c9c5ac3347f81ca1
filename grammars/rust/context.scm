(function_item
  body: (block) @context.end) @context

(impl_item
  body: (declaration_list) @context.end) @context

(trait_item
  body: (declaration_list) @context.end) @context

(mod_item
  body: (declaration_list) @context.end) @context

(foreign_mod_item
  body: (declaration_list) @context.end) @context

(struct_item
  body: (field_declaration_list) @context.end) @context

(union_item
  body: (field_declaration_list) @context.end) @context

(enum_item
  body: (enum_variant_list) @context.end) @context

(closure_expression
  body: (block) @context.end) @context
