import { Auth0PermissionsError } from "../errors";

/**
 * A create or update that changed the tenant and then failed. The dynamic provider host reports an
 * error carrying `id` and `properties` as an initialization failure, and the engine keeps those
 * properties as the resource's state. So the record of what was really granted or removed survives
 * the failure, and the next `pulumi up` continues from it instead of losing track (a removal whose
 * record was lost could never be restored).
 */
export class PartialProgressError extends Auth0PermissionsError {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];

  constructor(cause: unknown, id: string, state: object, inputs: object) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`${message} What was done before the failure is recorded in the stack; run \`pulumi up\` again to finish.`, {
      cause,
    });
    this.id = id;
    // The host adds the serialized provider to successful results only; a partial state needs it too.
    this.properties = { ...state, __provider: (inputs as { __provider?: unknown }).__provider };
    this.reasons = [this.message]; // what the engine prints
  }
}
