namespace Platform.Sandbox.Tests.TestSupport;

internal static class Timeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    /// <summary>A whole sandbox run on a busy machine: start-up of two .NET programs included.</summary>
    public static readonly TimeSpan Run = TimeSpan.FromSeconds(120);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Default);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Default);
}
