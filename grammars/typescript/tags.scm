; typescript (and, through tsx's inherits, tsx) on top of ../ecma/tags.scm

; Definitions

(abstract_class_declaration
  name: (type_identifier) @name) @definition.class

(interface_declaration
  name: (type_identifier) @name) @definition.interface

(type_alias_declaration
  name: (type_identifier) @name) @definition.type

(enum_declaration
  name: (identifier) @name) @definition.enum

(internal_module
  name: [
    (identifier) @name
    (nested_identifier (identifier) @name .)
  ]) @definition.module

(module
  name: [
    (identifier) @name
    (string (string_fragment) @name)
  ]) @definition.module

(function_signature
  name: (identifier) @name) @definition.function

[
  (method_signature name: (_) @name)
  (abstract_method_signature name: (_) @name)
] @definition.method

[
  (public_field_definition name: (_) @name)
  (property_signature name: (_) @name)
] @definition.field

; References: type names where a type is expected (not where one is defined)

(type_annotation
  (type_identifier) @name @reference.type)

(generic_type
  name: (type_identifier) @name) @reference.type

(nested_type_identifier
  name: (type_identifier) @name) @reference.type

(type_arguments
  (type_identifier) @name @reference.type)

[
  (array_type (type_identifier) @name)
  (union_type (type_identifier) @name)
  (intersection_type (type_identifier) @name)
] @reference.type

(extends_clause
  value: (identifier) @name) @reference.type

(extends_type_clause
  type: (type_identifier) @name) @reference.type

(implements_clause
  (type_identifier) @name @reference.type)

[
  (as_expression (type_identifier) @name)
  (satisfies_expression (type_identifier) @name)
] @reference.type

(type_alias_declaration
  value: (type_identifier) @name @reference.type)
