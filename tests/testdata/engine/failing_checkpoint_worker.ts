// A checkpoint thread whose every checkpoint fails (tests/engine/sqlite_checkpointer_test.ts).
import { type MessagePort, workerData } from "node:worker_threads";
import { Reply } from "../../../engine/store/_sqlite_checkpointer.ts";

const { port, reply } = workerData as { port: MessagePort; reply: Int32Array };
port.on("message", (request: string) => {
  Atomics.store(reply, Reply.State, request === "close" ? Reply.Closed : Reply.Failed);
  Atomics.notify(reply, Reply.State);
  if (request === "close") port.close();
});
