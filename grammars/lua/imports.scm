; local json = require("json")     local util = require "util"     require("setup")

((variable_declaration
  (assignment_statement
    (variable_list
      name: (identifier) @import.alias)
    (expression_list
      value: (function_call
        name: (identifier) @_require
        arguments: (arguments
          .
          (string content: (string_content) @import.module)))))) @import.statement
  (#eq? @_require "require"))

([
  (chunk
    (function_call
      name: (identifier) @_require
      arguments: (arguments
        .
        (string content: (string_content) @import.module))) @import.statement)
  (block
    (function_call
      name: (identifier) @_require
      arguments: (arguments
        .
        (string content: (string_content) @import.module))) @import.statement)
]
  (#eq? @_require "require"))
