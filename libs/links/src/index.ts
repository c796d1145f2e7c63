export { LinksModule } from './links.module';
export { LoginLinksService } from './login-links.service';
export { LaunchAnswerService } from './launch/launch-answer.service';
export type { LaunchAnswer } from './launch/launch-answer.service';
export { CreateLoginLinkDto, LINK_DELIVERIES, LAUNCH_EXPIRY_BOUNDS } from './dto/create-login-link.dto';
export { LoginLinkUserDto } from './dto/login-link-user.dto';
export { LoginLinkDto, LoginLinkFormDto } from './dto/login-link.dto';
export { LinksException, LinksExceptionCode } from './links.exception';
export { LoginLinkEntity } from './entities/login-link.entity';
