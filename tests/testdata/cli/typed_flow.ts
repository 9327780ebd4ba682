// A flow whose parameters carry literal defaults, for --param typing.
import { flow } from "ironflow";

export const sales = flow(
  { name: "sales" },
  async (pages: number = 3, label: string = "x") => {
    await Promise.resolve();
    return pages * 2 + label.length;
  },
);
