import * as pulumi from "@pulumi/pulumi";
import { beforeAll } from "vitest";

/**
 * Pulumi's mocks for the file: every resource a program registers is recorded, in order, and comes
 * back with the id `<name>-id` and its inputs as its state.
 */
export function useRegistrationMocks(): pulumi.runtime.MockResourceArgs[] {
  const registered: pulumi.runtime.MockResourceArgs[] = [];
  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });
  return registered;
}
