(class_definition body: (_) @context.end) @context
(function_definition body: (_) @context.end) @context
