; Definitions

(function_definition
  name: (word) @name) @definition.function

; Script-level variables; `local` ones are not symbols. `readonly NAME=...` is a constant.
(program
  (variable_assignment
    name: (variable_name) @name) @definition.variable)

(program
  (declaration_command
    ["declare" "typeset" "export"]
    (variable_assignment
      name: (variable_name) @name) @definition.variable))

(program
  (declaration_command
    "readonly"
    (variable_assignment
      name: (variable_name) @name) @definition.constant))

; References: every command is a call (functions and programs look the same).

((command
  name: (command_name (word) @name)) @reference.call
  (#not-any-of? @name "source" "."))
