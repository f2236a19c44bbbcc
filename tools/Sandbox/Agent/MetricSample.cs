namespace Platform.Sandbox.Agent;

/// <summary>One sample line of the Prometheus text exposition: name, labels, value.</summary>
internal sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string key) => Labels.TryGetValue(key, out var value) ? value : string.Empty;
}
