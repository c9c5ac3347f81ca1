; Definitions

(function_declaration
  name: (identifier) @name) @definition.function

(method_declaration
  name: (field_identifier) @name) @definition.method

(type_spec
  name: (type_identifier) @name
  type: (struct_type)) @definition.class

(type_spec
  name: (type_identifier) @name
  type: (interface_type)) @definition.interface

; Every other named type (`type ID int`, `type Handler func()`) and aliases (`type ID = int`).
(type_spec
  name: (type_identifier) @name
  type: [
    (type_identifier) (qualified_type) (generic_type) (pointer_type) (slice_type)
    (array_type) (map_type) (channel_type) (function_type) (parenthesized_type)
  ]) @definition.type

(type_alias
  name: (type_identifier) @name) @definition.type

(field_declaration_list
  (field_declaration
    name: (field_identifier) @name) @definition.field)

(method_elem
  name: (field_identifier) @name) @definition.method

; Package-level constants and variables (one match per name in `var a, b = 1, 2`).
(source_file
  (const_declaration
    (const_spec
      name: (identifier) @name) @definition.constant))

(source_file
  (var_declaration
    (var_spec
      name: (identifier) @name) @definition.variable))

(source_file
  (var_declaration
    (var_spec_list
      (var_spec
        name: (identifier) @name) @definition.variable)))

; References

(call_expression
  function: [
    (identifier) @name
    (selector_expression field: (field_identifier) @name)
    (generic_type type: (type_identifier) @name)
  ]) @reference.call

; Any type name (this includes the name in `type Store struct`).
(type_identifier) @name @reference.type
