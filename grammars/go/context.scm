(function_declaration
  body: (block) @context.end) @context

(method_declaration
  body: (block) @context.end) @context

(func_literal
  body: (block) @context.end) @context

; `type Store struct {` and `type Reader interface {`: the scope is the type_spec (in a grouped
; `type ( ... )` each spec is its own scope).
(type_spec
  type: (struct_type
    (field_declaration_list) @context.end)) @context

(type_spec
  type: (interface_type
    "{" @context.end)) @context
