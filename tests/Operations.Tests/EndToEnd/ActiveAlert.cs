namespace Platform.Operations.Tests.EndToEnd;

/// <summary>An alert as Prometheus's /api/v1/alerts lists it.</summary>
internal sealed record ActiveAlert(IReadOnlyDictionary<string, string> Labels, string State);
