namespace Platform.Sandbox.Scenario;

/// <summary>Step 5's fault: XID 79 raised on GPU <paramref name="Gpu"/> at <paramref name="At"/>, and the Ray worker holding it (null when no worker held a GPU).</summary>
internal sealed record InjectedFault(ScenarioPod? Worker, string Uuid, int Gpu, DateTimeOffset At);
