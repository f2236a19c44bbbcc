namespace Platform.NodeAgent.Kubernetes;

/// <summary>What the Eviction API answered: 201 evicted, 429 refused (a PodDisruptionBudget), 404 gone.</summary>
internal enum EvictionOutcome
{
    Evicted,
    Refused,
    Gone,
}

/// <summary>The outcome and the API server's message (why a refusal was refused).</summary>
internal sealed record EvictionResult(EvictionOutcome Outcome, string? Message);
