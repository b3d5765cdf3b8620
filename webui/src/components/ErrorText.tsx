interface Props {
  lines: string[];
  testId?: string;
}

/** Error message block; one line per problem. Renders nothing when there are no lines. */
export function ErrorText({ lines, testId }: Props) {
  if (lines.length === 0) return null;
  return (
    <div className="error-text" role="alert" data-testid={testId}>
      {lines.map((line, i) => (
        <div key={i}>{line}</div>
      ))}
    </div>
  );
}
