; javascript (and jsx) on top of ../ecma/tags.scm

(field_definition
  property: [(property_identifier) (private_property_identifier)] @name) @definition.field

(class_heritage
  (identifier) @name @reference.type)

; <Component ...>: lower-case names are HTML elements, not symbols.
((jsx_opening_element
  name: (identifier) @name) @reference.call
  (#match? @name "^[A-Z]"))

((jsx_self_closing_element
  name: (identifier) @name) @reference.call
  (#match? @name "^[A-Z]"))
