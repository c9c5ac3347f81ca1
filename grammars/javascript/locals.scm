; JavaScript's own parameters (after grammars/ecma/locals.scm; TypeScript wraps them in
; required_parameter / optional_parameter nodes).

(formal_parameters (identifier) @local.definition)
(formal_parameters (assignment_pattern left: (identifier) @local.definition))
(formal_parameters (rest_pattern (identifier) @local.definition))
