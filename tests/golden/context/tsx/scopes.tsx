// Golden file for the tsx queries (ecma + typescript + tsx): markers in tests/golden/annotated.py

import { useState } from "react"; // {{IMPORT react}}
import { Button } from "./Button"; // {{IMPORT ./Button}}

interface Props { // {{DEF interface Props}}
  label: string; // {{DEF field label}}
}

// {{TEST component body}}
export function Counter({ label }: Props) { // {{CONTEXT}} {{DEF function Counter}} {{REF type Props}}
  const [count, setCount] = useState<number>(0); // {{REF call useState}}
  // {{CURSOR}}
  return <Button onClick={() => setCount(count + 1)}>{label}</Button>; // {{REF call Button}}
}

// {{TEST event handler in a component}}
export const Toolbar = (props: Props) => { // {{CONTEXT}} {{DEF function Toolbar}}
  const onClick = (event: MouseEvent) => { // {{CONTEXT}} {{DEF function onClick}} {{REF type MouseEvent}}
    event.preventDefault(); // {{CURSOR}} {{REF call preventDefault}}
  };
  return <Counter label={props.label} />; // {{REF call Counter}}
};
