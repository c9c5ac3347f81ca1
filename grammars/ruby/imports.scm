; require "json"     require_relative "store/item"     load "tasks.rb"

((call
  method: (identifier) @_method
  arguments: (argument_list
    .
    (string (string_content) @import.module))) @import.statement
  (#any-of? @_method "require" "require_relative" "load"))
