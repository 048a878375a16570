// The spec the form stands for, and every problem the server found in it, with its line.
import { Card, CodeView } from "../../components/ui";
import { formFieldOf, type Problem } from "../../lib/spec";

export function SpecCard(props: { yaml: string; problems: Problem[]; reached: (field: string) => boolean }) {
  return (
    <Card title="spec.yaml">
      <CodeView label="spec.yaml" text={props.yaml} />
      {props.problems.length ? (
        <div className="mt-2 text-xs">
          <p id="spec-problems" className="font-medium text-slate-700">
            What the server finds in this spec so far (every step, filled in or not):
          </p>
          <ul aria-labelledby="spec-problems" className="list-disc pl-5">
            {props.problems.map((problem, index) => (
              <li key={`${index}-${problem.field}-${problem.message}`} className={props.reached(formFieldOf(problem)) ? "text-red-700" : "text-slate-600"}>
                line {problem.line}, {problem.field}: {problem.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </Card>
  );
}
