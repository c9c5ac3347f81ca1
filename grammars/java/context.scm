; Modifiers (annotations included) belong to a declaration, so an annotated scope starts at its
; first annotation.

(class_declaration
  body: (class_body) @context.end) @context

(record_declaration
  body: (class_body) @context.end) @context

(interface_declaration
  body: (interface_body) @context.end) @context

(enum_declaration
  body: (enum_body) @context.end) @context

(annotation_type_declaration
  body: (annotation_type_body) @context.end) @context

(method_declaration
  body: (block) @context.end) @context

(constructor_declaration
  body: (constructor_body) @context.end) @context

(compact_constructor_declaration
  body: (block) @context.end) @context

(lambda_expression
  body: (block) @context.end) @context

; new Runnable() { ... }
(object_creation_expression
  (class_body) @context.end) @context
