// The files SBH would generate from the spec (/api/specs/preview), and one file's text.
import { useState } from "react";
import { Card, CodeView, ErrorNotice } from "../../components/ui";
import { asError, previewSpec, type PreviewFile } from "../../lib/api";

export interface Preview {
  files: PreviewFile[];
  shown: { path: string; content: string } | null;
  error: Error | null;
  show: (path?: string) => Promise<void>;
}

export function usePreview(spec: string): Preview {
  const [files, setFiles] = useState<PreviewFile[]>([]);
  const [shown, setShown] = useState<Preview["shown"]>(null);
  const [error, setError] = useState<Error | null>(null);
  async function show(path?: string) {
    try {
      const result = await previewSpec(spec, path);
      setFiles(result.files);
      setShown(result.file);
      setError(null);
    } catch (failure) {
      setError(asError(failure));
    }
  }
  return { files, shown, error, show };
}

export function GeneratedFiles({ preview }: { preview: Preview }) {
  if (!preview.files.length && !preview.error) return null;
  return (
    <Card title={`Generated files (${preview.files.length})`}>
      {preview.error ? <ErrorNotice what="The preview failed" error={preview.error} /> : null}
      <ul className="max-h-64 overflow-auto text-xs">
        {preview.files.map((file) => (
          <li key={file.path}>
            <button type="button" className="text-indigo-700 underline" onClick={() => void preview.show(file.path)}>
              {file.path}
            </button>{" "}
            <span className="text-slate-500">
              {file.size} B{file.executable ? ", executable" : ""}
            </span>
          </li>
        ))}
      </ul>
      {preview.shown ? <CodeView label={preview.shown.path} text={preview.shown.content} /> : null}
    </Card>
  );
}
