using Platform.DevicePlugin.Registration;

namespace Platform.DevicePlugin.Tests.Registration;

public sealed class RegistrationBackoffTests
{
    [Theory]
    [InlineData(0, 200)]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(6, 6400)]
    [InlineData(7, 10000)]
    [InlineData(1000, 10000)]
    public void Delay_DoublesUpToTheCap(int failedAttempts, int expectedMilliseconds) =>
        Assert.Equal(
            TimeSpan.FromMilliseconds(expectedMilliseconds),
            RegistrationBackoff.Delay(failedAttempts, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10)));
}
