import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { hrefOf, routeOf, useRoute, type Route } from "./route";

afterEach(() => {
  window.location.hash = "";
});

describe("routeOf", () => {
  it("names the page of each hash, the System Builder by default", () => {
    expect(routeOf("")).toEqual({ page: "builder" });
    expect(routeOf("#/builder")).toEqual({ page: "builder" });
    expect(routeOf("#/nowhere")).toEqual({ page: "builder" });
    expect(routeOf("#/chat")).toEqual({ page: "chat" });
    expect(routeOf("#/systems")).toEqual({ page: "systems" });
    expect(routeOf("#/fleet")).toEqual({ page: "fleet" });
    expect(routeOf("#/systems/acme")).toEqual({ page: "systems" });
    expect(routeOf("#/systems/acme/orders-api")).toEqual({ page: "system", owner: "acme", name: "orders-api" });
  });

  it("reads back every link hrefOf writes, odd characters too", () => {
    const routes: Route[] = [{ page: "builder" }, { page: "chat" }, { page: "systems" }, { page: "system", owner: "a b", name: "x/y#z" }];

    for (const route of routes) expect(routeOf(hrefOf(route))).toEqual(route);
    expect(hrefOf({ page: "system", owner: "acme", name: "orders-api" })).toBe("#/systems/acme/orders-api");
  });
});

describe("useRoute", () => {
  it("follows the hash as it changes", () => {
    window.location.hash = "#/chat";
    const { result } = renderHook(() => useRoute());
    expect(result.current).toEqual({ page: "chat" });

    act(() => {
      window.location.hash = "#/systems/acme/orders-api";
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    });

    expect(result.current).toEqual({ page: "system", owner: "acme", name: "orders-api" });
  });
});
