namespace Platform.Sandbox.Tests.TestSupport;

/// <summary>Tests that start whole sandboxes run one at a time: each starts two .NET programs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SandboxCollection
{
    public const string Name = "Sandbox processes";
}
