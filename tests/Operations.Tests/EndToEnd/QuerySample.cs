namespace Platform.Operations.Tests.EndToEnd;

/// <summary>One sample of an instant query: its labels and value (NaN for histogram quantiles without observations).</summary>
internal sealed record QuerySample(IReadOnlyDictionary<string, string> Labels, double Value);
