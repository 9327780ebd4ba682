/** Calls a task outside any flow, as a script would (tests/sdk/standalone_task_test.ts). */
import { task } from "../../../sdk/mod.ts";

const triple = task({ name: "triple" }, (x: number) => x * 3);
console.log(await triple(2));
