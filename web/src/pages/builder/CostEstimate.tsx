// What the system would cost on AWS each month (/api/specs/cost): the total, each
// environment's, and the lines behind them. An estimate from SBH's dated price table.
import { ErrorNotice } from "../../components/ui";
import { costOfSpec } from "../../lib/api";
import { useApi } from "../../lib/useApi";

const DOLLARS = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

export const dollars = (amount: string): string => DOLLARS.format(Number(amount));

export function CostEstimate(props: { yaml: string }) {
  const estimate = useApi((signal) => costOfSpec(props.yaml, signal), [props.yaml]);
  if (estimate.error) return <ErrorNotice what="The cost could not be estimated" error={estimate.error} onRetry={estimate.reload} />;
  const data = estimate.data;
  if (!data) return <p className="text-sm text-slate-600">Estimating the cost…</p>;
  return (
    <section aria-label="Estimated cost" className="w-full rounded-md border border-slate-200 p-3 text-sm">
      <p>
        Estimated AWS cost: <strong>{dollars(data.monthly)} a month</strong>
        {data.complete ? "" : " for the priced environments"}
      </p>
      <ul className="mt-1">
        {data.environments.map((environment) => (
          <li key={environment.environment}>
            <details>
              <summary>
                {environment.environment} ({environment.region}):{" "}
                {environment.monthly === null ? environment.unavailable : `${dollars(environment.monthly)} a month`}
              </summary>
              <table className="mt-1 w-full text-xs">
                <tbody>
                  {environment.lines.map((line) => (
                    <tr key={line.item} className="border-t border-slate-100">
                      <td className="py-0.5 pr-2">{line.item}</td>
                      <td className="py-0.5 text-right">{dollars(line.monthly)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </li>
        ))}
      </ul>
      <p className="mt-1 text-xs text-slate-500">
        An estimate, not a quote: {data.prices_source}, as of {data.prices_as_of}.
      </p>
    </section>
  );
}
