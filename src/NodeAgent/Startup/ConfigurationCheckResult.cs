namespace Platform.NodeAgent.Startup;

/// <summary>What one <see cref="ConfigurationCheck"/> pass found; <see cref="UnconvertibleKey"/> is set when binding stopped at a bad value.</summary>
internal sealed record ConfigurationCheckResult(IReadOnlyList<string> Problems, string? UnconvertibleKey);
