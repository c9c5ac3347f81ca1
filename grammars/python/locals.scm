; Names in scope, for the offline engine. A @local.definition belongs to the innermost
; @local.scope around it (the module when there is none) and is visible anywhere inside that
; scope. A @local.definition.outer (a function's own name, which lies inside its node) belongs
; to the scope around that one. Class bodies are not scopes: their names are the class's
; members, used through `self.`.

(function_definition) @local.scope
(lambda) @local.scope
(class_definition body: (block) @local.scope)
(list_comprehension) @local.scope
(set_comprehension) @local.scope
(dictionary_comprehension) @local.scope
(generator_expression) @local.scope

; Parameters
(parameters (identifier) @local.definition)
(parameters (default_parameter name: (identifier) @local.definition))
(parameters (typed_parameter (identifier) @local.definition))
(parameters (typed_default_parameter name: (identifier) @local.definition))
(parameters (list_splat_pattern (identifier) @local.definition))
(parameters (dictionary_splat_pattern (identifier) @local.definition))
(parameters (typed_parameter (list_splat_pattern (identifier) @local.definition)))
(parameters (typed_parameter (dictionary_splat_pattern (identifier) @local.definition)))
(lambda_parameters (identifier) @local.definition)
(lambda_parameters (default_parameter name: (identifier) @local.definition))

; Assignments and other bindings
(assignment left: (identifier) @local.definition)
(assignment left: (pattern_list (identifier) @local.definition))
(assignment left: (tuple_pattern (identifier) @local.definition))
(assignment left: (pattern_list (tuple_pattern (identifier) @local.definition)))
(augmented_assignment left: (identifier) @local.definition)
(named_expression name: (identifier) @local.definition)
(for_statement left: (identifier) @local.definition)
(for_statement left: (pattern_list (identifier) @local.definition))
(for_statement left: (tuple_pattern (identifier) @local.definition))
(for_in_clause left: (identifier) @local.definition)
(for_in_clause left: (pattern_list (identifier) @local.definition))
(as_pattern_target (identifier) @local.definition)
(global_statement (identifier) @local.definition)

; Definitions and imports
(function_definition name: (identifier) @local.definition.outer)
(class_definition name: (identifier) @local.definition)
(import_statement name: (dotted_name . (identifier) @local.definition))
(aliased_import alias: (identifier) @local.definition)
(import_from_statement name: (dotted_name (identifier) @local.definition))
