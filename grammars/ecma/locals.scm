; Names in scope, for the offline engine (shared by javascript, typescript and tsx; node types
; all three grammars have). A @local.definition belongs to the innermost @local.scope around it
; (the module when there is none) and is visible anywhere inside it; a
; @local.definition.outer (a function's own name, inside its node) to the scope around that.

(function_declaration) @local.scope
(generator_function_declaration) @local.scope
(function_expression) @local.scope
(arrow_function) @local.scope
(method_definition) @local.scope
(statement_block) @local.scope
(for_statement) @local.scope
(for_in_statement) @local.scope

(function_declaration name: (identifier) @local.definition.outer)
(generator_function_declaration name: (identifier) @local.definition.outer)
(variable_declarator name: (identifier) @local.definition)
(variable_declarator name: (array_pattern (identifier) @local.definition))
(variable_declarator name: (object_pattern (shorthand_property_identifier_pattern) @local.definition))
(variable_declarator name: (object_pattern (pair_pattern value: (identifier) @local.definition)))
(arrow_function parameter: (identifier) @local.definition)
(for_in_statement left: (identifier) @local.definition)
(catch_clause parameter: (identifier) @local.definition)
(class_declaration name: (_) @local.definition)
(import_clause (identifier) @local.definition)
(import_specifier name: (identifier) @local.definition)
(import_specifier alias: (identifier) @local.definition)
(namespace_import (identifier) @local.definition)
