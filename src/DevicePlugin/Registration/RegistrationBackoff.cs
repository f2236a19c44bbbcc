namespace Platform.DevicePlugin.Registration;

/// <summary>Capped exponential backoff for Register retries while the kubelet is absent: initial, 2×, 4×, … up to the cap.</summary>
public static class RegistrationBackoff
{
    public static TimeSpan Delay(int failedAttempts, TimeSpan initial, TimeSpan max)
    {
        if (failedAttempts <= 1)
        {
            return initial <= max ? initial : max;
        }

        var exponent = Math.Min(failedAttempts - 1, 30);
        var ticks = initial.Ticks * Math.Pow(2, exponent);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }
}
