; typescript (and tsx) on top of ../ecma/context.scm

(abstract_class_declaration
  body: (class_body) @context.end) @context

(interface_declaration
  body: (interface_body) @context.end) @context

(enum_declaration
  body: (enum_body) @context.end) @context

(internal_module
  body: (statement_block) @context.end) @context

(module
  body: (statement_block) @context.end) @context
