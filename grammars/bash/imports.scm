; source ./lib.sh     . "lib/common.sh"     source "$DIR/env.sh"
; The module is the argument as written; quotes are dropped when it has no expansion.

((command
  name: (command_name (word) @_command)
  .
  argument: [
    (word) @import.module
    (raw_string) @import.module
    (string . (string_content) @import.module .)
    (string [(simple_expansion) (expansion)]) @import.module
    (concatenation) @import.module
  ]) @import.statement
  (#any-of? @_command "source" "."))
