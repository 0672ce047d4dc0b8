import { createRequire } from "node:module";
import type { ResourceKind } from "../../../src/provider";
import { newDeployment, provider as handlers } from "../../provider/emulator-tenant";

// The dynamic provider server converts every value to and from a protobuf Struct; so does the simulator.
const { Struct } = createRequire(__filename)("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): { toJavaScript(): Record<string, unknown> } };
};

/**
 * The Pulumi engine's step sequencing, simulated over the provider's handlers, for model-based
 * runs with hundreds of cases. What it reproduces (pkg/resource/deploy/step_generator.go and the
 * dynamic provider server in @pulumi/pulumi/cmd/dynamic-provider):
 * - `check(oldInputs, news)` for every declared resource; a failure fails the deployment;
 * - `diff(id, oldOutputs, checkedInputs)` for resources in state: no change is a same-step,
 *   `replaces` with deleteBeforeReplace is delete-then-create, other changes are `update`;
 * - steps of independent resources run concurrently; deletes of resources no longer declared run
 *   after every other step succeeded, concurrently;
 * - refresh: `read(id, outputs)` for every resource, concurrently; an empty id drops it from state;
 * - a create or update that throws an error carrying `id` and `properties` (the dynamic provider
 *   server's ErrorResourceInitFailed) still records the resource with those outputs, marked with
 *   init errors; the next deployment updates such a resource even when diff finds no change;
 * - every value crosses the gRPC boundary as a protobuf Struct, as in the dynamic provider server:
 *   a value Struct cannot hold (`undefined`, a function) fails the step there, exactly as it does
 *   under the real engine ("Unexpected struct type.").
 */
export interface Declared {
  readonly name: string;
  readonly kind: ResourceKind;
  readonly inputs: Record<string, unknown>;
}

interface Recorded {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  readonly initErrors?: readonly string[];
}

/** The shape the dynamic provider server reads from a thrown error to report a partial success. */
function partialState(
  error: unknown,
): { id: string; properties: Record<string, unknown>; reasons: string[] } | undefined {
  const e = error as { id?: unknown; properties?: unknown; reasons?: unknown } | null;
  if (typeof e !== "object" || e === null || typeof e.id !== "string" || e.id === "") return undefined;
  const properties =
    typeof e.properties === "object" && e.properties !== null ? (e.properties as Record<string, unknown>) : {};
  return { id: e.id, properties, reasons: Array.isArray(e.reasons) ? e.reasons.map(String) : [] };
}

export interface StepCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  same: number;
  read: number;
}

const roundTrip = (value: Record<string, unknown>): Record<string, unknown> =>
  Struct.fromJavaScript(value).toJavaScript();

/** Stands in for the serialized provider the engine keeps in `__provider`, in inputs and outputs alike. */
const PROVIDER = "exports.handler = /* serialized provider */ undefined;";

export class SimulatedEngine {
  readonly state = new Map<string, Recorded>();
  readonly steps: StepCounts = { create: 0, update: 0, replace: 0, delete: 0, same: 0, read: 0 };

  async refresh(): Promise<void> {
    await newDeployment(); // every command is a deployment of its own: a new provider process
    await Promise.all(
      [...this.state].map(async ([name, resource]) => {
        const result = await handlers(resource.kind).read(resource.id, roundTrip(resource.outputs));
        this.steps.read++;
        if (!result.id) this.state.delete(name);
        else
          this.state.set(name, {
            ...resource,
            id: result.id,
            outputs: roundTrip({ ...(result.props ?? {}), __provider: PROVIDER }),
          });
      }),
    );
  }

  /** `pulumi up` (with `--refresh` when asked): throws an AggregateError naming every failed step. */
  async up(program: readonly Declared[], options: { refresh?: boolean } = {}): Promise<void> {
    await newDeployment(); // every command is a deployment of its own: a new provider process
    if (options.refresh) await this.refresh();
    const outcomes = await Promise.allSettled(program.map((declared) => this.step(declared)));
    const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} step(s) failed`);
    const declared = new Set(program.map((d) => d.name));
    const deletions = await Promise.allSettled(
      [...this.state].filter(([name]) => !declared.has(name)).map(([name, resource]) => this.remove(name, resource)),
    );
    const deleteFailures = deletions.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
    if (deleteFailures.length > 0)
      throw new AggregateError(deleteFailures, `${deleteFailures.length} delete(s) failed`);
  }

  async destroy(): Promise<void> {
    await this.up([]);
  }

  private async step(declared: Declared): Promise<void> {
    const provider = handlers(declared.kind);
    const old = this.state.get(declared.name);
    const checked = await provider.check(old?.inputs ?? {}, roundTrip(declared.inputs));
    if (checked.failures && checked.failures.length > 0) {
      throw new Error(`check failed for ${declared.name}: ${checked.failures.map((f) => f.reason).join("; ")}`);
    }
    const inputs = roundTrip({ ...(checked.inputs ?? {}), __provider: PROVIDER });
    if (!old) {
      await this.create(declared, inputs);
      return;
    }
    const diff = await provider.diff(old.id, roundTrip(old.outputs), inputs);
    if (diff.replaces && diff.replaces.length > 0) {
      if (!diff.deleteBeforeReplace)
        throw new Error(`${declared.name}: the simulator only models delete-before-replace`);
      await this.remove(declared.name, old);
      await this.create(declared, inputs);
      this.steps.create--;
      this.steps.replace++;
      return;
    }
    if (diff.changes === false && !(old.initErrors && old.initErrors.length > 0)) {
      this.steps.same++;
      this.state.set(declared.name, { ...old, inputs });
      return;
    }
    const updated = await this.keepingPartial(
      declared,
      inputs,
      () => old.id,
      () => provider.update(old.id, roundTrip(old.outputs), inputs),
    );
    this.steps.update++;
    this.state.set(declared.name, {
      kind: declared.kind,
      id: old.id,
      inputs,
      outputs: roundTrip({ ...(updated.outs ?? inputs), __provider: PROVIDER }),
    });
  }

  /**
   * Runs a create or update step. When it fails with a partial state (the shape the dynamic provider server
   * reads), the engine keeps that state under the id `idOf` names, with the reasons as initErrors; the error
   * is thrown on either way.
   */
  private async keepingPartial<T>(
    declared: Declared,
    inputs: Record<string, unknown>,
    idOf: (partial: { id: string }) => string,
    step: () => Promise<T>,
  ): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const partial = partialState(error);
      if (partial)
        this.state.set(declared.name, {
          kind: declared.kind,
          id: idOf(partial),
          inputs,
          outputs: roundTrip(partial.properties),
          initErrors: partial.reasons,
        });
      throw error;
    }
  }

  private async create(declared: Declared, inputs: Record<string, unknown>): Promise<void> {
    const created = await this.keepingPartial(
      declared,
      inputs,
      (partial) => partial.id,
      () => handlers(declared.kind).create(inputs),
    );
    this.steps.create++;
    this.state.set(declared.name, {
      kind: declared.kind,
      id: created.id,
      inputs,
      outputs: roundTrip({ ...(created.outs ?? {}), __provider: PROVIDER }),
    });
  }

  private async remove(name: string, resource: Recorded): Promise<void> {
    await handlers(resource.kind).delete(resource.id, roundTrip(resource.outputs));
    this.steps.delete++;
    this.state.delete(name);
  }
}
