; Definitions

[
  (class_declaration name: (identifier) @name)
  (record_declaration name: (identifier) @name)
] @definition.class

[
  (interface_declaration name: (identifier) @name)
  (annotation_type_declaration name: (identifier) @name)
] @definition.interface

(enum_declaration
  name: (identifier) @name) @definition.enum

[
  (method_declaration name: (identifier) @name)
  (constructor_declaration name: (identifier) @name)
  (compact_constructor_declaration name: (identifier) @name)
  (annotation_type_element_declaration name: (identifier) @name)
] @definition.method

; One match per name in `int a, b;`.
(field_declaration
  declarator: (variable_declarator
    name: (identifier) @name)) @definition.field

[
  (constant_declaration declarator: (variable_declarator name: (identifier) @name))
  (enum_constant name: (identifier) @name)
] @definition.constant

; References

(method_invocation
  name: (identifier) @name) @reference.call

(object_creation_expression
  type: [
    (type_identifier) @name
    (generic_type (type_identifier) @name)
    (scoped_type_identifier (type_identifier) @name .)
  ]) @reference.call

; Class names are identifiers in declarations, so every type_identifier is a use.
(type_identifier) @name @reference.type
