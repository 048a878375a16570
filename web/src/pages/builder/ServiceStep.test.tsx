import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { EMPTY_FORM, specYaml, type SpecForm } from "../../lib/spec";
import { ServiceStep } from "./ServiceStep";

afterEach(cleanup);

// The step with its form, and the spec it writes (as the Builder's spec card shows it).
function Harness(props: { error?: string }) {
  const [form, setForm] = useState<SpecForm>({ ...EMPTY_FORM, name: "shop", owner: "acme" });
  return (
    <>
      <ServiceStep form={form} set={(key, value) => setForm((current) => ({ ...current, [key]: value }))} errorOf={(field) => (field === "services" ? props.error : undefined)} />
      <pre data-testid="spec">{specYaml(form)}</pre>
    </>
  );
}

const spec = (): Record<string, any> => parse(screen.getByTestId("spec").textContent ?? "");

describe("the Services step", () => {
  it("writes sbh/v1 while the system is its one web service", () => {
    render(<Harness />);

    expect(spec().apiVersion).toBe("sbh/v1");
    expect(spec().service.port).toBe(8000);
    expect(screen.getByText(/None: the spec is sbh\/v1/)).toBeTruthy();
  });

  it("adds a service, and the spec becomes sbh/v2 with the main web service and the new one", () => {
    render(<Harness />);

    fireEvent.click(screen.getByRole("button", { name: "Add a service" }));

    const written = spec();
    expect(written.apiVersion).toBe("sbh/v2");
    expect(written.service).toBeUndefined();
    expect(written.services.api).toMatchObject({ kind: "web", port: 8000, health_path: "/api/health", cpu: 256, memory: 512 });
    expect(written.services.worker).toEqual({ kind: "worker", queue: { max_receive_count: 5 } });
  });

  it("writes each kind's main fields as the kind is chosen", () => {
    render(<Harness />);
    fireEvent.click(screen.getByRole("button", { name: "Add a service" }));

    fireEvent.change(screen.getByLabelText("Service name"), { target: { value: "nightly" } });
    fireEvent.change(screen.getByLabelText("Kind of nightly"), { target: { value: "job" } });
    fireEvent.change(screen.getByLabelText("Schedule of nightly"), { target: { value: "cron(0 3 * * ? *)" } });
    expect(spec().services.nightly).toEqual({ kind: "job", schedule: "cron(0 3 * * ? *)" });

    fireEvent.change(screen.getByLabelText("Kind of nightly"), { target: { value: "backend" } });
    fireEvent.change(screen.getByLabelText("Port of nightly"), { target: { value: "8005" } });
    expect(spec().services.nightly).toEqual({ kind: "backend", port: 8005 });

    fireEvent.change(screen.getByLabelText("Kind of nightly"), { target: { value: "web" } });
    fireEvent.change(screen.getByLabelText("Path of nightly"), { target: { value: "/admin/*" } });
    expect(spec().services.nightly).toMatchObject({ kind: "web", path: "/admin/*" });

    fireEvent.change(screen.getByLabelText("Kind of nightly"), { target: { value: "static-site" } });
    fireEvent.change(screen.getByLabelText("Source directory of nightly"), { target: { value: "frontend" } });
    expect(spec().services.nightly).toEqual({ kind: "static-site", source: "frontend" });
  });

  it("gives each added service a name and port of its own, and removing the last one goes back to sbh/v1", () => {
    render(<Harness />);
    fireEvent.click(screen.getByRole("button", { name: "Add a service" }));
    fireEvent.click(screen.getByRole("button", { name: "Add a service" }));
    fireEvent.change(screen.getByLabelText("Kind of worker"), { target: { value: "backend" } });
    fireEvent.change(screen.getByLabelText("Kind of worker2"), { target: { value: "backend" } });

    expect(spec().services.worker.port).not.toBe(spec().services.worker2.port);
    fireEvent.click(screen.getByRole("button", { name: "Remove worker" }));
    fireEvent.click(screen.getByRole("button", { name: "Remove worker2" }));

    expect(spec().apiVersion).toBe("sbh/v1");
    expect(spec().services).toBeUndefined();
  });

  it("shows the server's problem with the services", () => {
    render(<Harness error="/* is already routed to api; give each web service its own path" />);

    expect(screen.getByRole("alert").textContent).toContain("is already routed to api");
  });
});
